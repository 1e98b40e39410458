# Negative control for scripts/e2e-module.sh: the classic leak that gcoauth's
# module exists to avoid. A client secret handed to a resource argument is
# persisted in state (and in saved plans) whatever `sensitive` says; for
# terraform_data it even lands unmarked in `output`. `gcoauth audit` must exit 1
# on the resulting directory and name terraform_data.leaky.
#
# No default on purpose: the test passes a random fake value through
# TF_VAR_secret, so nothing secret-looking is committed and the auditor cannot
# be matching a fixed string.

terraform {
  required_version = ">= 1.5"
}

variable "secret" {
  description = "A fake client secret (random per test run)."
  type        = string
  sensitive   = true
}

resource "terraform_data" "leaky" {
  input = {
    client_id     = "00000000-0000-0000-0000-00000000e2e0"
    client_secret = var.secret
  }
}

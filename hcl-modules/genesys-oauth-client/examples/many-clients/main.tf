# Many OAuth clients from one map, e.g. one per integration. The map is
# generated from `client_count` so tests can scale it (25, 200, ...); in real
# use you would write the map by hand or load it from a file. Keys are stable
# strings, so adding or removing one client never disturbs the others.
#
# Each client is three terraform_data instances and, on first apply, three
# gcoauth runs (create, then no-op update and rotate). With many clients,
# `terraform apply -parallelism=N` bounds how many gcoauth processes (and
# Genesys Cloud / AWS API sessions) run at once; the default is 10.

locals {
  clients = {
    for i in range(var.client_count) : format("%s-%03d", var.name_prefix, i + 1) => {
      description = "Integration client ${i + 1}"
      role_id     = var.role_id
    }
  }
}

module "client" {
  source   = "../.."
  for_each = local.clients

  name        = each.key
  description = each.value.description
  grant_type  = "CLIENT-CREDENTIALS"
  roles = [
    { role_id = each.value.role_id, division_id = "*" },
  ]

  secret_name          = "${var.secret_prefix}/${each.key}"
  aws_region           = var.aws_region
  recovery_window_days = var.recovery_window_days
  tags = {
    Client = each.key
  }

  rotation_id     = var.rotation_id
  gcoauth_command = var.gcoauth_command
}

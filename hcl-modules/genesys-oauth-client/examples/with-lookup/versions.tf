terraform {
  required_version = ">= 1.5"

  # Needs a provider download, so this example is documented but not run in
  # offline CI (scripts/test-module.sh skips it).
  required_providers {
    external = {
      source  = "hashicorp/external"
      version = ">= 2.3"
    }
  }
}

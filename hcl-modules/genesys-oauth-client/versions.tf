terraform {
  # 1.4 brought terraform_data and local-exec's `quiet`; 1.5 is the floor the
  # project supports. Cross-variable checks are preconditions (not 1.9+
  # cross-variable validation) so the floor can stay at 1.5.
  required_version = ">= 1.5"

  # Deliberately no required_providers: everything here is built in
  # (terraform.io/builtin/terraform), so `terraform init` works offline.
}

# One client-credentials OAuth client whose id and secret go straight into an
# AWS Secrets Manager secret. Genesys Cloud and AWS credentials come from the
# environment Terraform runs in (GENESYSCLOUD_OAUTHCLIENT_ID/SECRET,
# GENESYSCLOUD_REGION, AWS_*); the configuration never sees them.

module "client" {
  source = "../.."

  name        = var.name
  description = var.description
  grant_type  = "CLIENT-CREDENTIALS"
  roles = [
    { role_id = var.role_id, division_id = "*" },
  ]
  access_token_validity_seconds = 3600

  secret_name          = var.secret_name
  aws_region           = var.aws_region
  recovery_window_days = var.recovery_window_days
  tags = {
    Environment = "example"
  }

  rotation_id     = var.rotation_id
  gcoauth_command = var.gcoauth_command
}

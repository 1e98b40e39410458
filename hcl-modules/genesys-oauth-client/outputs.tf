################################################################################
# Client
#
# Nothing here is secret and nothing needs a provider. The values are gated on
# the ids of the update/rotation resources so they are "known after apply"
# while the client is being created, replaced, updated or rotated: a consumer
# that reads the secret (aws_secretsmanager_secret_version data source,
# `gcoauth client lookup` via hashicorp/external, ...) is then deferred until
# gcoauth has finished, instead of reading at plan time before the secret
# exists. Once applied, they are plain known values (no perpetual diff).
################################################################################

output "client_name" {
  description = "Name of the Genesys Cloud OAuth client (null when `create = false`)."
  value       = local.update_done == null ? null : var.name
}

################################################################################
# Secret store
################################################################################

output "secret_name" {
  description = "Name of the AWS Secrets Manager secret holding the client credentials (client id and secret). Read it with the AWS provider or `gcoauth client lookup`; the secret value itself never passes through Terraform. Null when `create = false`."
  value       = local.secret_done == null ? null : var.secret_name
}

output "aws_region" {
  description = "AWS region of the secret as given in `aws_region` (null when it was left to the AWS credential chain, or when `create = false`)."
  value       = local.secret_done == null ? null : var.aws_region
}

# Reads the client id back through `gcoauth client lookup`, which speaks the
# hashicorp/external protocol: stdin {"secret_name","region"}, stdout
# {"client_id","secret_arn","name","state"}. Only non-secret facts come back;
# the client secret stays in Secrets Manager.

module "client" {
  source = "../.."

  name        = var.name
  description = "Created by the genesys-oauth-client with-lookup example"
  grant_type  = "CLIENT-CREDENTIALS"
  roles = [
    { role_id = var.role_id, division_id = "*" },
  ]

  secret_name     = var.secret_name
  aws_region      = var.aws_region
  gcoauth_command = var.gcoauth_command
}

# The module's outputs are unknown until gcoauth has finished, so on the first
# apply this read is deferred until after the client exists. It re-runs on
# every plan (data sources always do): keep the lookup cheap and side-effect
# free. Its result is stored in state - fine, nothing in it is secret.
data "external" "client" {
  program = [var.gcoauth_command, "client", "lookup"]

  query = {
    secret_name = module.client.secret_name
    region      = module.client.aws_region
  }
}

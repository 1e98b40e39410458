# Plan-only checks of the wiring: what the spec contains, what triggers what.
# Built-ins only, so this runs offline and never executes a provisioner.

variables {
  name        = "tf-test-client"
  secret_name = "genesys/oauth/tf-test-client"
  roles       = [{ role_id = "role-1", division_id = "*" }]
}

run "minimal_client_credentials" {
  command = plan

  assert {
    condition     = length(terraform_data.this) == 1 && length(terraform_data.update) == 1 && length(terraform_data.rotation) == 1
    error_message = "Expected one each of terraform_data.this, .update and .rotation."
  }

  # The CLI rejects unknown fields: the spec must have exactly these keys.
  assert {
    condition = jsonencode(keys(jsondecode(terraform_data.this[0].input.spec))) == jsonencode(sort([
      "name", "description", "grant_type", "redirect_uris", "scopes", "roles",
      "access_token_validity_seconds", "state", "rotation_id", "store",
    ]))
    error_message = "Spec top-level fields differ from the CLI contract."
  }

  assert {
    condition     = jsonencode(keys(jsondecode(terraform_data.this[0].input.spec).store)) == jsonencode(sort(["type", "name", "region", "kms_key_id", "recovery_window_days", "tags"]))
    error_message = "Spec store fields differ from the CLI contract."
  }

  assert {
    # jsonencode sorts keys, so comparing strings compares content exactly.
    condition = terraform_data.this[0].input.spec == jsonencode({
      name                          = "tf-test-client"
      description                   = null
      grant_type                    = "CLIENT-CREDENTIALS"
      redirect_uris                 = []
      scopes                        = []
      roles                         = [{ role_id = "role-1", division_id = "*" }]
      access_token_validity_seconds = 86400
      state                         = "active"
      rotation_id                   = null
      store = {
        type                 = "aws_secretsmanager"
        name                 = "genesys/oauth/tf-test-client"
        region               = null
        kms_key_id           = null
        recovery_window_days = 7
        tags                 = {}
      }
    })
    error_message = "Spec defaults are wrong."
  }

  assert {
    condition     = terraform_data.this[0].input.bin == "gcoauth"
    error_message = "gcoauth_command should default to \"gcoauth\"."
  }

  assert {
    condition     = jsonencode(terraform_data.this[0].triggers_replace) == jsonencode({ secret_name = "genesys/oauth/tf-test-client", aws_region = null })
    error_message = "terraform_data.this must be replaced by (and only by) the secret location."
  }

  assert {
    condition     = terraform_data.rotation[0].triggers_replace[0] == null
    error_message = "rotation must trigger on rotation_id."
  }

  assert {
    condition     = !contains(keys(terraform_data.update[0].triggers_replace.mutable), "rotation_id") && !contains(keys(terraform_data.update[0].triggers_replace.mutable), "recovery_window_days")
    error_message = "update must not trigger on rotation_id or recovery_window_days."
  }
}

run "full_code_grant" {
  command = plan

  variables {
    description                   = "line one\nline \"two\" $(not a command) `nor this`"
    grant_type                    = "CODE"
    redirect_uris                 = ["https://app.example.com/callback", "myapp://oauth/cb"]
    scopes                        = ["users:readonly", "analytics"]
    roles                         = []
    access_token_validity_seconds = 38880000
    state                         = "disabled"
    rotation_id                   = "2025-06"
    aws_region                    = "eu-west-1"
    kms_key_id                    = "alias/genesys"
    recovery_window_days          = 0
    tags                          = { Team = "cx", "cost-center" = "42" }
    gcoauth_command               = "/opt/gcoauth/bin/gcoauth"
  }

  assert {
    # jsonencode sorts keys, so comparing strings compares content exactly.
    condition = terraform_data.this[0].input.spec == jsonencode({
      name                          = "tf-test-client"
      description                   = "line one\nline \"two\" $(not a command) `nor this`"
      grant_type                    = "CODE"
      redirect_uris                 = ["https://app.example.com/callback", "myapp://oauth/cb"]
      scopes                        = ["users:readonly", "analytics"]
      roles                         = []
      access_token_validity_seconds = 38880000
      state                         = "disabled"
      rotation_id                   = "2025-06"
      store = {
        type                 = "aws_secretsmanager"
        name                 = "genesys/oauth/tf-test-client"
        region               = "eu-west-1"
        kms_key_id           = "alias/genesys"
        recovery_window_days = 0
        tags                 = { Team = "cx", "cost-center" = "42" }
      }
    })
    error_message = "Spec does not carry every input through unchanged."
  }

  assert {
    condition     = terraform_data.this[0].input.bin == "/opt/gcoauth/bin/gcoauth"
    error_message = "gcoauth_command not passed through."
  }
}

run "other_grants_plan" {
  command = plan

  variables {
    grant_type = "SAML2BEARER"
    roles      = []
  }
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = length(terraform_data.this) == 0 && length(terraform_data.update) == 0 && length(terraform_data.rotation) == 0
    error_message = "create = false must not plan any resource."
  }

  assert {
    condition     = output.secret_name == null && output.client_name == null && output.aws_region == null
    error_message = "Outputs must be null when create = false."
  }
}

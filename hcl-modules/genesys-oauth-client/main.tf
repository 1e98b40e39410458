################################################################################
# Spec
#
# Everything gcoauth needs travels as one JSON document in the GCOAUTH_SPEC
# environment variable. Nothing is ever interpolated into a provisioner's
# `command`: that string is shown in Terraform's output and, when a command
# fails, quoted unmasked in the error message; values in `environment` are not.
# The spec holds no secret. Genesys credentials (GENESYSCLOUD_*) and AWS
# credentials (AWS_*) are inherited from the environment Terraform runs in and
# never pass through the configuration, so they reach neither state nor plan.
################################################################################

locals {
  # The secret's location. Changing it means a different secret, so it is the
  # replacement trigger of terraform_data.this (old client destroyed, new one
  # created).
  store_location = {
    secret_name = var.secret_name
    aws_region  = var.aws_region
  }

  # Fields that `gcoauth client update` applies in place (same client id, same
  # secret). kms_key_id and tags belong to the stored secret but are also
  # handed to `update` so the CLI can converge them. Left out on purpose:
  # rotation_id (terraform_data.rotation's job), recovery_window_days (only
  # read at destroy time, from terraform_data.this's input) and the store's
  # name/region (a change replaces everything anyway).
  mutable = {
    name                          = var.name
    description                   = var.description
    grant_type                    = var.grant_type
    redirect_uris                 = var.redirect_uris
    scopes                        = var.scopes
    roles                         = [for r in var.roles : { role_id = r.role_id, division_id = r.division_id }]
    access_token_validity_seconds = var.access_token_validity_seconds
    state                         = var.state
    kms_key_id                    = var.kms_key_id
    tags                          = var.tags
  }

  # The exact CLI spec. Optional values are null when unset (the CLI treats
  # null as absent); there are no other fields, as the CLI rejects unknown ones.
  spec = jsonencode({
    name                          = local.mutable.name
    description                   = local.mutable.description
    grant_type                    = local.mutable.grant_type
    redirect_uris                 = local.mutable.redirect_uris
    scopes                        = local.mutable.scopes
    roles                         = local.mutable.roles
    access_token_validity_seconds = local.mutable.access_token_validity_seconds
    state                         = local.mutable.state
    rotation_id                   = var.rotation_id
    store = {
      type                 = "aws_secretsmanager"
      name                 = var.secret_name
      region               = var.aws_region
      kms_key_id           = var.kms_key_id
      recovery_window_days = var.recovery_window_days
      tags                 = var.tags
    }
  })

  # What every provisioner receives. Kept in terraform_data.this's `input`:
  # its destroy-time provisioner may only reference `self`, and `self.input`
  # always holds the last applied spec (in-place updates refresh it).
  invocation = {
    spec = local.spec
    bin  = var.gcoauth_command
  }

  # Used by outputs.tf: unknown while the matching step is pending.
  update_done = try(terraform_data.update[0].id, null)
  secret_done = try(terraform_data.rotation[0].id, null)
}

################################################################################
# Client and secret: create / destroy
#
# Why three resources: provisioners run only when their resource is created
# (or, with when = destroy, destroyed); an in-place change of `input` runs
# nothing. So each gcoauth verb gets a resource whose replacement triggers are
# exactly the inputs that should cause that verb:
#   this     - triggers_replace = secret location      -> create / destroy
#   update   - triggers_replace = mutable fields       -> update
#   rotation - triggers_replace = rotation_id          -> rotate
# update and rotation also trigger on terraform_data.this's id so they re-run
# after a replacement, and they run once right after the first create, where
# gcoauth treats them as no-ops (nothing differs / rotation id already
# recorded). Ordering: this -> update -> rotation on create; dependents are
# destroyed first, and neither dependent has a destroy-time provisioner.
#
# Never set create_before_destroy here: destroy-time provisioners do not run for
# such resources. They also do not run for a tainted object (a failed create),
# so the next `client create` must converge on whatever the failed run left
# behind - the CLI's create is idempotent for exactly that reason.
################################################################################

resource "terraform_data" "this" {
  count = var.create ? 1 : 0

  input            = local.invocation
  triggers_replace = local.store_location

  lifecycle {
    # Cross-field checks the CLI also makes; preconditions (not variable
    # validation) because variable validation may only reference other
    # variables from Terraform 1.9 and this module supports 1.5.
    precondition {
      condition     = !contains(["CODE", "TOKEN"], var.grant_type) || length(var.redirect_uris) > 0
      error_message = "The ${var.grant_type} grant type requires at least one redirect URI (redirect_uris)."
    }
    precondition {
      condition     = var.grant_type != "CLIENT-CREDENTIALS" || length(var.roles) > 0
      error_message = "The CLIENT-CREDENTIALS grant type requires at least one role (roles)."
    }
  }

  # quiet = true replaces the `Executing: [...]` line with "Suppressed by
  # quiet=true" (the command holds no values anyway; this keeps logs stable).
  # gcoauth's own stdout (one JSON line of non-secret facts) is still shown.
  provisioner "local-exec" {
    command = "\"$GCOAUTH_BIN\" client create"
    quiet   = true
    environment = {
      GCOAUTH_BIN  = self.input.bin
      GCOAUTH_SPEC = self.input.spec
    }
  }

  # Runs before the object leaves state, with the last applied `input`; on
  # failure the object stays in state (not tainted) and the next apply/destroy
  # runs it again, which gcoauth's idempotent destroy makes safe.
  provisioner "local-exec" {
    when    = destroy
    command = "\"$GCOAUTH_BIN\" client destroy"
    quiet   = true
    environment = {
      GCOAUTH_BIN  = self.input.bin
      GCOAUTH_SPEC = self.input.spec
    }
  }
}

################################################################################
# Client: in-place update
################################################################################

resource "terraform_data" "update" {
  count = var.create ? 1 : 0

  # No `input`: the provisioner reads the spec from terraform_data.this (already
  # applied by then, as this resource depends on it), so the spec is stored in
  # state and shown in plans once, not three times.
  triggers_replace = {
    client  = terraform_data.this[0].id
    mutable = local.mutable
  }

  provisioner "local-exec" {
    command = "\"$GCOAUTH_BIN\" client update"
    quiet   = true
    environment = {
      GCOAUTH_BIN  = terraform_data.this[0].input.bin
      GCOAUTH_SPEC = terraform_data.this[0].input.spec
    }
  }
}

################################################################################
# Secret: rotation
################################################################################

resource "terraform_data" "rotation" {
  count = var.create ? 1 : 0

  triggers_replace = [var.rotation_id, terraform_data.this[0].id]

  provisioner "local-exec" {
    command = "\"$GCOAUTH_BIN\" client rotate"
    quiet   = true
    environment = {
      GCOAUTH_BIN  = terraform_data.this[0].input.bin
      GCOAUTH_SPEC = terraform_data.this[0].input.spec
    }
  }

  # Serialise after the update so two gcoauth processes never work on the same
  # client at once (e.g. a rename and a rotation in one apply).
  depends_on = [terraform_data.update]
}

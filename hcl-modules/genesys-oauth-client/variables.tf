################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to manage the OAuth client at all. Set to `false` (apply) before removing a module block: destroy-time provisioners only run while their resource block is still in the configuration, so deleting the block outright would leave the client and its secret behind."
  type        = bool
  default     = true
  nullable    = false
}

variable "gcoauth_command" {
  description = "The gcoauth executable: a name looked up on PATH or a path. A single word, not a command line (it is quoted as one word by the shell); wrap extra arguments in a script. Passed to the provisioners through the environment, never interpolated into the command."
  type        = string
  default     = "gcoauth"
  nullable    = false

  validation {
    condition     = length(trimspace(var.gcoauth_command)) > 0 && !can(regex("[\\r\\n]", var.gcoauth_command))
    error_message = "The gcoauth_command must be a non-empty single-line executable name or path."
  }
}

################################################################################
# OAuth client
################################################################################

variable "name" {
  description = "Name of the Genesys Cloud OAuth client. Changing it renames the client in place (same client id, same secret)."
  type        = string
  nullable    = false

  validation {
    condition     = length(trimspace(var.name)) > 0
    error_message = "The name must be a non-empty, non-blank string."
  }
}

variable "description" {
  description = "Description of the OAuth client. Updated in place."
  type        = string
  default     = null
}

variable "grant_type" {
  description = "OAuth grant type: `CLIENT-CREDENTIALS`, `CODE`, `TOKEN`, `SAML2-BEARER` (or `SAML2BEARER`) or `PASSWORD`. Updated in place (Genesys Cloud's PUT takes the grant type)."
  type        = string
  default     = "CLIENT-CREDENTIALS"
  nullable    = false

  validation {
    condition     = contains(["CLIENT-CREDENTIALS", "CODE", "TOKEN", "SAML2-BEARER", "SAML2BEARER", "PASSWORD"], var.grant_type)
    error_message = "The grant_type must be one of CLIENT-CREDENTIALS, CODE, TOKEN, SAML2-BEARER, SAML2BEARER, PASSWORD (upper case, with hyphens)."
  }
}

variable "redirect_uris" {
  description = "Registered redirect URIs: absolute URLs (`scheme://host...`). Required (non-empty) for the `CODE` and `TOKEN` grant types. Updated in place."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for u in var.redirect_uris : can(regex("^[A-Za-z][A-Za-z0-9+.-]*://[^\\s/?#]+[^\\s]*$", u))])
    error_message = "Each redirect URI must be an absolute URL with a scheme and a host (e.g. https://app.example.com/callback) and no whitespace."
  }
}

variable "scopes" {
  description = "OAuth scopes the client may request (used by the non-client-credentials grant types). Updated in place."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for s in var.scopes : try(length(trimspace(s)) > 0, false)])
    error_message = "Scopes must be non-empty strings."
  }
}

variable "roles" {
  description = "Roles granted to the client, each `{ role_id, division_id }`; `division_id = \"*\"` means all divisions. Required (non-empty) for the `CLIENT-CREDENTIALS` grant type. Updated in place."
  type = list(object({
    role_id     = string
    division_id = string
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for r in var.roles : try(length(trimspace(r.role_id)) > 0 && length(trimspace(r.division_id)) > 0, false)])
    error_message = "Each role needs a non-empty role_id and division_id (use \"*\" for all divisions)."
  }
}

variable "access_token_validity_seconds" {
  description = "Lifetime of access tokens issued to the client, in seconds (300 to 38880000). Updated in place."
  type        = number
  default     = 86400
  nullable    = false

  validation {
    condition     = var.access_token_validity_seconds == floor(var.access_token_validity_seconds) && var.access_token_validity_seconds >= 300 && var.access_token_validity_seconds <= 38880000
    error_message = "The access_token_validity_seconds must be a whole number between 300 and 38880000."
  }
}

variable "state" {
  description = "Client state: `active`, `disabled` or `inactive`. Updated in place."
  type        = string
  default     = "active"
  nullable    = false

  validation {
    condition     = contains(["active", "disabled", "inactive"], var.state)
    error_message = "The state must be one of active, disabled, inactive (lower case)."
  }
}

variable "rotation_id" {
  description = "Opaque rotation marker recorded on the stored secret. Changing it regenerates the client secret in place (same client id) and writes the new one to the secret store; `gcoauth client rotate` is a no-op while it matches the recorded value. A date (\"2025-06\") or a counter works well. Null means never rotated."
  type        = string
  default     = null

  validation {
    condition     = try(length(trimspace(var.rotation_id)) > 0, var.rotation_id == null)
    error_message = "The rotation_id must be null or a non-blank string."
  }
}

################################################################################
# Secret store (AWS Secrets Manager)
################################################################################

variable "secret_name" {
  description = "Name of the AWS Secrets Manager secret that receives the client id and secret (1-512 characters of `A-Za-z0-9/_+=.@-`). Changing it replaces the client: the old client and secret are destroyed and a new client is created."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.secret_name) >= 1 && length(var.secret_name) <= 512
    error_message = "The secret_name must be 1 to 512 characters long."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]+$", var.secret_name))
    error_message = "The secret_name may only contain letters, digits and / _ + = . @ - (AWS Secrets Manager's character set)."
  }
}

variable "aws_region" {
  description = "AWS region of the secret. Null leaves it to the AWS credential chain of the environment Terraform runs in (AWS_REGION, profile); note that the module cannot see that value, so changing it outside Terraform does not replace anything. Changing this variable replaces the client."
  type        = string
  default     = null

  validation {
    condition     = var.aws_region == null || can(regex("^[a-z]{2,4}(-[a-z]+)+-[0-9]+$", var.aws_region))
    error_message = "The aws_region must be null or an AWS region name such as eu-west-1 or us-gov-west-1."
  }
}

variable "kms_key_id" {
  description = "KMS key (id, ARN or alias) used to encrypt the secret, applied when the secret is created. Null uses the account's default `aws/secretsmanager` key. Changing it later does not re-key the existing secret (gcoauth leaves the secret's key alone)."
  type        = string
  default     = null

  validation {
    condition     = try(length(trimspace(var.kms_key_id)) > 0, var.kms_key_id == null)
    error_message = "The kms_key_id must be null or a non-blank string."
  }
}

variable "recovery_window_days" {
  description = "Days Secrets Manager keeps the secret recoverable after destroy: 0 deletes it immediately without recovery, otherwise 7 to 30. Only used at destroy time; changing it just updates what is recorded."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = var.recovery_window_days == 0 || (var.recovery_window_days == floor(var.recovery_window_days) && var.recovery_window_days >= 7 && var.recovery_window_days <= 30)
    error_message = "The recovery_window_days must be 0 or a whole number from 7 to 30."
  }
}

variable "tags" {
  description = "Tags for the secret (keys 1-128 characters, values up to 256, at most 40, no `aws:` or `gcoauth:` prefix: gcoauth adds its own `gcoauth:*` tags to find the client again, and AWS allows 50 in all). Added or changed tags are applied by `update`; a tag removed from this map stays on the secret."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition = length(var.tags) <= 40 && alltrue([
      for k, v in var.tags : try(length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:") && !startswith(k, "gcoauth:"), false)
    ])
    error_message = "Tags: at most 40, keys 1-128 characters and not starting with \"aws:\" or \"gcoauth:\" (reserved), values at most 256 characters."
  }
}

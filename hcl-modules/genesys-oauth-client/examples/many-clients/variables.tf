variable "client_count" {
  description = "How many clients to manage (keys <name_prefix>-001 ... <name_prefix>-NNN)."
  type        = number
  default     = 25

  validation {
    condition     = var.client_count >= 0 && var.client_count == floor(var.client_count)
    error_message = "The client_count must be a whole number >= 0."
  }
}

variable "name_prefix" {
  description = "Prefix of the client names and map keys."
  type        = string
  default     = "integration"
}

variable "secret_prefix" {
  description = "Secrets Manager name prefix; each client's secret is <secret_prefix>/<key>."
  type        = string
  default     = "genesys/oauth"
}

variable "role_id" {
  description = "Id of the Genesys Cloud role granted to every client (in all divisions)."
  type        = string
  default     = "00000000-0000-0000-0000-000000000001"
}

variable "aws_region" {
  description = "AWS region of the secrets (null: from the AWS environment)."
  type        = string
  default     = null
}

variable "recovery_window_days" {
  description = "Recovery window applied when a secret is deleted (0 or 7-30)."
  type        = number
  default     = 7
}

variable "rotation_id" {
  description = "Change to rotate every client's secret in place."
  type        = string
  default     = null
}

variable "gcoauth_command" {
  description = "The gcoauth executable (name on PATH or a path)."
  type        = string
  default     = "gcoauth"
}

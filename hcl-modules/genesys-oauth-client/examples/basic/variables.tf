variable "name" {
  description = "Name of the OAuth client."
  type        = string
  default     = "example-ci-deployer"
}

variable "description" {
  description = "Description of the OAuth client; change it to see an in-place update."
  type        = string
  default     = "Created by the genesys-oauth-client basic example"
}

variable "role_id" {
  description = "Id of the Genesys Cloud role granted to the client (in all divisions)."
  type        = string
  default     = "00000000-0000-0000-0000-000000000001"
}

variable "secret_name" {
  description = "AWS Secrets Manager secret that receives the client credentials; changing it replaces the client."
  type        = string
  default     = "genesys/oauth/example-ci-deployer"
}

variable "aws_region" {
  description = "AWS region of the secret (null: from the AWS environment)."
  type        = string
  default     = null
}

variable "recovery_window_days" {
  description = "Recovery window applied when the secret is deleted (0 or 7-30)."
  type        = number
  default     = 7
}

variable "rotation_id" {
  description = "Change to rotate the client secret in place."
  type        = string
  default     = null
}

variable "gcoauth_command" {
  description = "The gcoauth executable (name on PATH or a path)."
  type        = string
  default     = "gcoauth"
}

variable "name" {
  description = "Name of the OAuth client."
  type        = string
  default     = "example-lookup"
}

variable "role_id" {
  description = "Id of the Genesys Cloud role granted to the client (in all divisions)."
  type        = string
  default     = "00000000-0000-0000-0000-000000000001"
}

variable "secret_name" {
  description = "AWS Secrets Manager secret that receives the client credentials."
  type        = string
  default     = "genesys/oauth/example-lookup"
}

variable "aws_region" {
  description = "AWS region of the secret. Required here: the lookup query needs an explicit region string."
  type        = string
}

variable "gcoauth_command" {
  description = "The gcoauth executable (name on PATH or a path)."
  type        = string
  default     = "gcoauth"
}

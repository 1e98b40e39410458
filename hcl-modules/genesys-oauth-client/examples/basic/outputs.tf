output "client_name" {
  description = "Name of the OAuth client."
  value       = module.client.client_name
}

output "secret_name" {
  description = "Secrets Manager secret holding the client id and secret."
  value       = module.client.secret_name
}

output "aws_region" {
  description = "AWS region of the secret (null when taken from the environment)."
  value       = module.client.aws_region
}

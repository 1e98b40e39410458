output "client_id" {
  description = "Genesys Cloud OAuth client id, as recorded on the secret (not secret)."
  value       = data.external.client.result.client_id
}

output "secret_arn" {
  description = "ARN of the Secrets Manager secret holding the client credentials."
  value       = data.external.client.result.secret_arn
}

output "client_state" {
  description = "Client state reported by gcoauth (active, disabled, inactive)."
  value       = data.external.client.result.state
}

output "secret_names" {
  description = "Map of client key to the Secrets Manager secret holding its id and secret."
  value       = { for k, m in module.client : k => m.secret_name }
}

output "client_names" {
  description = "Map of client key to OAuth client name."
  value       = { for k, m in module.client : k => m.client_name }
}

//! `gcoauth audit`: find leaked client secrets in Terraform state, plans and plan files.

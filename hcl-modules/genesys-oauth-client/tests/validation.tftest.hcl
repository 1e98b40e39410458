# Every validation rule and precondition, each with a value that must fail
# at plan time (expect_failures), plus boundary values that must pass.
# Plan only, built-ins only: runs offline.

variables {
  name        = "tf-test-client"
  secret_name = "genesys/oauth/tf-test-client"
  roles       = [{ role_id = "role-1", division_id = "*" }]
}

run "valid_boundaries_pass" {
  command = plan

  variables {
    name                          = "x"
    secret_name                   = "A-Za-z0-9/_+=.@-"
    access_token_validity_seconds = 300
    recovery_window_days          = 30
    aws_region                    = "eusc-de-east-1"
    rotation_id                   = "1"
    tags                          = { for i in range(40) : "k${i}" => "v" }
  }
}

run "valid_upper_boundaries_pass" {
  command = plan

  variables {
    secret_name                   = join("", [for i in range(512) : "s"])
    access_token_validity_seconds = 38880000
    recovery_window_days          = 0
    grant_type                    = "TOKEN"
    redirect_uris                 = ["http://localhost:8080/cb"]
    roles                         = []
  }
}

run "valid_recovery_window_7_pass" {
  command = plan

  variables {
    recovery_window_days = 7
    grant_type           = "PASSWORD"
    roles                = []
  }
}

run "name_empty" {
  command = plan

  variables {
    name = ""
  }

  expect_failures = [var.name]
}

run "name_blank" {
  command = plan

  variables {
    name = "   "
  }

  expect_failures = [var.name]
}

run "grant_type_lower_case" {
  command = plan

  variables {
    grant_type = "client-credentials"
  }

  expect_failures = [var.grant_type]
}

run "grant_type_underscore" {
  command = plan

  variables {
    grant_type = "CLIENT_CREDENTIALS"
  }

  expect_failures = [var.grant_type]
}

run "redirect_uri_relative" {
  command = plan

  variables {
    redirect_uris = ["/callback"]
  }

  expect_failures = [var.redirect_uris]
}

run "redirect_uri_no_scheme" {
  command = plan

  variables {
    redirect_uris = ["app.example.com/callback"]
  }

  expect_failures = [var.redirect_uris]
}

run "redirect_uri_whitespace" {
  command = plan

  variables {
    redirect_uris = ["https://app.example.com/call back"]
  }

  expect_failures = [var.redirect_uris]
}

run "code_requires_redirect_uris" {
  command = plan

  variables {
    grant_type = "CODE"
  }

  expect_failures = [terraform_data.this]
}

run "token_requires_redirect_uris" {
  command = plan

  variables {
    grant_type = "TOKEN"
    scopes     = ["users"]
  }

  expect_failures = [terraform_data.this]
}

run "client_credentials_requires_roles" {
  command = plan

  variables {
    roles = []
  }

  expect_failures = [terraform_data.this]
}

run "role_id_empty" {
  command = plan

  variables {
    roles = [{ role_id = "", division_id = "*" }]
  }

  expect_failures = [var.roles]
}

run "division_id_null" {
  command = plan

  variables {
    roles = [{ role_id = "r", division_id = null }]
  }

  expect_failures = [var.roles]
}

run "scope_empty" {
  command = plan

  variables {
    scopes = [""]
  }

  expect_failures = [var.scopes]
}

run "validity_too_low" {
  command = plan

  variables {
    access_token_validity_seconds = 299
  }

  expect_failures = [var.access_token_validity_seconds]
}

run "validity_too_high" {
  command = plan

  variables {
    access_token_validity_seconds = 38880001
  }

  expect_failures = [var.access_token_validity_seconds]
}

run "validity_fractional" {
  command = plan

  variables {
    access_token_validity_seconds = 300.5
  }

  expect_failures = [var.access_token_validity_seconds]
}

run "state_capitalised" {
  command = plan

  variables {
    state = "Active"
  }

  expect_failures = [var.state]
}

run "state_deleted" {
  command = plan

  variables {
    state = "deleted"
  }

  expect_failures = [var.state]
}

run "rotation_id_empty" {
  command = plan

  variables {
    rotation_id = ""
  }

  expect_failures = [var.rotation_id]
}

run "secret_name_empty" {
  command = plan

  variables {
    secret_name = ""
  }

  expect_failures = [var.secret_name]
}

run "secret_name_too_long" {
  command = plan

  variables {
    secret_name = join("", [for i in range(513) : "a"])
  }

  expect_failures = [var.secret_name]
}

run "secret_name_space" {
  command = plan

  variables {
    secret_name = "genesys/oauth/my client"
  }

  expect_failures = [var.secret_name]
}

run "secret_name_star" {
  command = plan

  variables {
    secret_name = "genesys/*"
  }

  expect_failures = [var.secret_name]
}

run "secret_name_non_ascii" {
  command = plan

  variables {
    secret_name = "genesys/caf\u00e9"
  }

  expect_failures = [var.secret_name]
}

run "aws_region_upper_case" {
  command = plan

  variables {
    aws_region = "EU-WEST-1"
  }

  expect_failures = [var.aws_region]
}

run "aws_region_no_number" {
  command = plan

  variables {
    aws_region = "eu-west"
  }

  expect_failures = [var.aws_region]
}

run "kms_key_id_blank" {
  command = plan

  variables {
    kms_key_id = " "
  }

  expect_failures = [var.kms_key_id]
}

run "recovery_window_1" {
  command = plan

  variables {
    recovery_window_days = 1
  }

  expect_failures = [var.recovery_window_days]
}

run "recovery_window_6" {
  command = plan

  variables {
    recovery_window_days = 6
  }

  expect_failures = [var.recovery_window_days]
}

run "recovery_window_31" {
  command = plan

  variables {
    recovery_window_days = 31
  }

  expect_failures = [var.recovery_window_days]
}

run "recovery_window_fractional" {
  command = plan

  variables {
    recovery_window_days = 7.5
  }

  expect_failures = [var.recovery_window_days]
}

run "tags_aws_prefix" {
  command = plan

  variables {
    tags = { "aws:owner" = "x" }
  }

  expect_failures = [var.tags]
}

run "tags_key_too_long" {
  command = plan

  variables {
    tags = { (join("", [for i in range(129) : "k"])) = "v" }
  }

  expect_failures = [var.tags]
}

run "tags_value_too_long" {
  command = plan

  variables {
    tags = { k = join("", [for i in range(257) : "v"]) }
  }

  expect_failures = [var.tags]
}

run "gcoauth_command_empty" {
  command = plan

  variables {
    gcoauth_command = ""
  }

  expect_failures = [var.gcoauth_command]
}

run "gcoauth_command_multi_line" {
  command = plan

  variables {
    gcoauth_command = "gcoauth\nrm -rf /"
  }

  expect_failures = [var.gcoauth_command]
}

run "tags_too_many" {
  command = plan

  variables {
    tags = { for i in range(41) : "k${i}" => "v" }
  }

  expect_failures = [var.tags]
}

run "tags_gcoauth_prefix_reserved" {
  command = plan

  variables {
    tags = { "gcoauth:client-id" = "x" }
  }

  expect_failures = [var.tags]
}

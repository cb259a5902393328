environment     = "prod"
admin_enabled   = false
ci_principal_id = "aa11bb22-cc33-4d44-8e55-ff6677889900"

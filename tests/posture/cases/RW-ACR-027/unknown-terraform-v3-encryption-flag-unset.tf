# RW-ACR-027: azurerm v3: encryption { enabled } is not known before apply

variable "cmk" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  encryption {
    enabled            = var.cmk
    key_vault_key_id   = "https://kv-acr.vault.azure.net/keys/acr"
    identity_client_id = "0f1a2b3c-4d5e-4f6a-8b7c-8d9e0f1a2b3c"
  }
}

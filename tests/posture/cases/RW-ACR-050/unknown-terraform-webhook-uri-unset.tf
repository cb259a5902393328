# RW-ACR-050: the service URI is not known before apply

variable "webhook_uri" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_container_registry_webhook" "deploy" {
  name                = "deploy"
  registry_name       = azurerm_container_registry.acr.name
  resource_group_name = "rg-registry"
  location            = "westeurope"
  service_uri         = var.webhook_uri
  actions             = ["push"]
}

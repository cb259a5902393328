# RW-ACR-050: the webhook posts to https

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
  service_uri         = "https://deploy.contoso.example/hooks/acr"
  actions             = ["push"]
}

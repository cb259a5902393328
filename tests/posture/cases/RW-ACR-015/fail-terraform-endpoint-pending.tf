# RW-ACR-015: the only private endpoint is not approved

resource "azurerm_container_registry" "acr" {
  name                  = "acrcase01"
  resource_group_name   = "rg-registry"
  location              = "westeurope"
  sku                   = "Premium"
  data_endpoint_enabled = true

  georeplications {
    location                = "northeurope"
    zone_redundancy_enabled = true
  }
}

resource "azurerm_private_endpoint" "acr" {
  name                = "pe-acrcase01"
  location            = "westeurope"
  resource_group_name = "rg-network"
  subnet_id           = "/subscriptions/3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-pe"

  private_service_connection {
    name                           = "acr"
    private_connection_resource_id = azurerm_container_registry.acr.id
    subresource_names              = ["registry"]
    is_manual_connection           = true
    request_message                = "Please approve"
  }
}

# RW-ACR-041: a replica in eastus

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  georeplications {
    location = "eastus"
  }
}

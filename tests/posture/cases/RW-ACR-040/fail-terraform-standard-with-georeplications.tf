# A georeplications block on a Standard registry: the provider sends it, ARM refuses it (Premium only).
resource "azurerm_container_registry" "acr" {
  name                = "contososhop01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Standard"

  georeplications {
    location = "northeurope"
  }
}

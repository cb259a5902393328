# RW-ACR-012: public access on, network_rule_set default_action = Allow

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  network_rule_set {
    default_action = "Allow"
  }
}

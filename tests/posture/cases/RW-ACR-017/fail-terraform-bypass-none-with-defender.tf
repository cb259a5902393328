# RW-ACR-017: public access off, Defender on, network_rule_bypass_option = None

resource "azurerm_container_registry" "acr" {
  name                          = "acrcase01"
  resource_group_name           = "rg-registry"
  location                      = "westeurope"
  sku                           = "Premium"
  network_rule_bypass_option    = "None"
  public_network_access_enabled = false
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"

  extension {
    name = "ContainerRegistriesVulnerabilityAssessments"
  }
}

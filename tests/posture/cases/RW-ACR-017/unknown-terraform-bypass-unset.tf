# RW-ACR-017: the bypass option is not known before apply

variable "bypass" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                          = "acrcase01"
  resource_group_name           = "rg-registry"
  location                      = "westeurope"
  sku                           = "Premium"
  network_rule_bypass_option    = var.bypass
  public_network_access_enabled = false
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"

  extension {
    name = "ContainerRegistriesVulnerabilityAssessments"
  }
}

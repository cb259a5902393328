# Checkov CKV_AZURE_165 "fail3" shape: Premium, no georeplications block, location from an undeclared variable.
# No replica exists, so wherever the home region is, none is elsewhere.
resource "azurerm_container_registry" "acr" {
  name                          = "contosoprod01"
  resource_group_name           = var.acr.resource_group_name
  location                      = var.acr.location
  sku                           = "Premium"
  public_network_access_enabled = false
}

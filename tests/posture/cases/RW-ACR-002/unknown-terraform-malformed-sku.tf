# A SKU written as a number: not a SKU name, so whether the registry is Basic (where the rule does not apply)
# cannot be told.
resource "azurerm_container_registry" "acr" {
  name                   = "contosoprod01"
  resource_group_name    = "rg-registry"
  location               = "westeurope"
  sku                    = 3
  anonymous_pull_enabled = true
}

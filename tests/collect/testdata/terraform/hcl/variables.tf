variable "environment" {
  type        = string
  description = "Deployment stage, part of every name."
  default     = "dev"
}

variable "admin_enabled" {
  type    = bool
  default = true
}

variable "sku" {
  type    = string
  default = "Standard"
}

variable "quarantine" {
  type        = bool
  description = "No default and not in terraform.tfvars: stays unknown."
}

variable "replica_regions" {
  type    = list(string)
  default = []
}

variable "ci_principal_id" {
  type = string
}

terraform {
  required_version = ">= 1.9" # variable validations refer to other variables

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}

//go:build sas_framework_route

package provider

const useFrameworkRoute = true

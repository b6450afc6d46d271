//go:build !sas_framework_route

package provider

// useFrameworkRoute makes setState use the framework's State.Set. Only the
// benchmark harness sets it (-tags sas_framework_route), to measure the
// two routes side by side.
const useFrameworkRoute = false

package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/terraform-sas/terraform-provider-sas/internal/provider"
)

// Set by goreleaser (or `make install`) through -ldflags.
var (
	version = "dev"
	commit  = "none"
)

// registryAddress is where the provider is published.
const registryAddress = "registry.terraform.io/terraform-sas/sas"

func main() {
	// First, before serving: see main_debugenv.go.
	if err := restartWithoutLibraryDebug(os.Environ(), reexec); err != nil {
		fmt.Fprintf(os.Stderr, "[ERROR] terraform-provider-sas: %v\n", err)
		os.Exit(1)
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	log.Printf("terraform-provider-sas %s (commit %s)", version, commit)
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         registryAddress,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

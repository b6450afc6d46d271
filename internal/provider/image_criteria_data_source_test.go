package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// criterion is the expected element of `criteria`.
func criterion(name, typ string, values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for k, v := range values {
		checks[k] = knownvalue.StringExact(v)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"name":   knownvalue.StringExact(name),
		"type":   knownvalue.StringExact(typ),
		"values": knownvalue.ListExact(checks),
	})
}

func TestAccImageCriteria_listsEveryCriterion(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "alpha", "1.0")}})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `data "sas_image_criteria" "all" {}`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.sas_image_criteria.all", tfjsonpath.New("id"), knownvalue.StringExact("all")),
			statecheck.ExpectKnownValue("data.sas_image_criteria.all", tfjsonpath.New("value"), knownvalue.Null()),
			statecheck.ExpectKnownValue("data.sas_image_criteria.all", tfjsonpath.New("criteria"), knownvalue.ListExact([]knownvalue.Check{
				criterion("instanceId", "input"),
				criterion("repoName", "input"),
				criterion("repoId", "input"),
				criterion("repoNamespace", "input"),
				criterion("regionId", "input"),
				criterion("ImageId", "input"),
				criterion("tag", "input"),
				criterion("digest", "input"),
				criterion("vulStatus", "select", "NO", "YES"),
				criterion("alarmStatus", "select", "NO", "YES"),
				criterion("hcStatus", "select", "NO", "YES"),
				criterion("riskStatus", "select", "NO", "YES"),
				criterion("registryType", "select", "acr", "harbor", "quay", "CI/CD"),
			})),
		},
	})
}

func TestAccImageCriteria_selectValuesAreSplitIntoAList(t *testing.T) {
	fake := startFake(t, fakesas.Options{Criteria: []fakesas.CriteriaEntry{
		{Name: "spaced", Type: "select", Values: " a, b ,,c ,"},
		{Name: "single", Type: "select", Values: "only"},
		{Name: "emptySelect", Type: "select", Values: ""},
		{Name: "free", Type: "input"},
	}})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `data "sas_image_criteria" "all" {}`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.sas_image_criteria.all", tfjsonpath.New("criteria"), knownvalue.ListExact([]knownvalue.Check{
				criterion("spaced", "select", "a", "b", "c"),
				criterion("single", "select", "only"),
				criterion("emptySelect", "select"),
				criterion("free", "input"),
			})),
		},
	})
}

func TestAccImageCriteria_valueKeepsTheCriteriaMatchingAKeyword(t *testing.T) {
	// The fake keeps an entry when the keyword occurs, ignoring case, in its
	// name, in one of its select values, or (input entries) in that field of
	// any image.
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "alpha-api", "1.0")}})
	statuses := []string{"vulStatus", "alarmStatus", "hcStatus", "riskStatus"}
	cases := []struct {
		keyword string
		names   []string
	}{
		{"alpha", []string{"repoName"}},                           // an image's repository name
		{"ALPHA-API", []string{"repoName"}},                       // ignoring case
		{"cn-hangzhou", []string{"regionId"}},                     // an image's region
		{"Status", statuses},                                      // criteria names
		{"yes", statuses},                                         // select values
		{"CI/CD", []string{"registryType"}},                       // a select value with a slash
		{"nothing-has-this", nil},                                 // no criterion: an empty list
		{"prod", []string{"repoNamespace"}},                       // an image's namespace
		{"1.0", []string{"tag"}},                                  // an image's tag
		{"harbor", []string{"registryType"}},                      // select value, no image of that registry
		{"repo", []string{"repoName", "repoId", "repoNamespace"}}, // several names, in the service's order
	}
	config := providerConfig(fake)
	var checks []statecheck.StateCheck
	for k, tc := range cases {
		addr := fmt.Sprintf("data.sas_image_criteria.k%d", k)
		config += fmt.Sprintf("data \"sas_image_criteria\" \"k%d\" {\n  value = %s\n}\n", k, hcl(tc.keyword))
		names := make([]knownvalue.Check, len(tc.names))
		for n, name := range tc.names {
			names[n] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(name)})
		}
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(tc.keyword)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("criteria"), knownvalue.ListExact(names)))
	}
	accTest(t, resource.TestStep{Config: config, ConfigStateChecks: checks})

	for _, r := range fake.Requests() {
		if r.Action == "DescribeImageCriteria" && r.Query.Get("Value") == "" {
			t.Errorf("a read with a keyword sent no Value: %v", r.Query)
		}
	}
}

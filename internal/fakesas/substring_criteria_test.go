package fakesas

import (
	"slices"
	"testing"
)

func TestSubstringCriteria(t *testing.T) {
	images := []Image{
		{"Uuid": "u-api", "RepoName": "payments-api", "Tag": "1.4.2"},
		{"Uuid": "u-api-v2", "RepoName": "payments-api-v2", "Tag": "1.4.2"},
		{"Uuid": "u-api-rc", "RepoName": "payments-api", "Tag": "1.4.2-rc.1"},
		{"Uuid": "u-other", "RepoName": "checkout", "Tag": "1.4.2"},
	}
	criteria := `[{"name":"repoName","value":"payments-api"},{"name":"tag","value":"1.4.2"}]`
	cases := []struct {
		name      string
		substring bool
		want      []string
	}{
		{"exact by default", false, []string{"u-api"}},
		{"substring on request", true, []string{"u-api", "u-api-v2", "u-api-rc"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Options{Images: images, SubstringCriteria: tc.substring})
			body := mustCall(t, newClient(t, s, defaultCreds), "DescribeImageInstances", map[string]string{"Criteria": criteria})
			if got := pageOfUUIDs(t, body); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

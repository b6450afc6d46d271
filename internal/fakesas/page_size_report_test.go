package fakesas

import (
	"fmt"
	"testing"
)

// A capped page reports the size served, the size requested, or none; the
// records served are the same whatever it reports.
func TestPageSizeReport(t *testing.T) {
	cases := []struct {
		report    PageSizeReport
		query     map[string]string
		wantSize  string // "" when PageInfo has no PageSize
		wantCount int
	}{
		{ReportServedPageSize, map[string]string{"PageSize": "100"}, "30", 30},
		{ReportRequestedPageSize, map[string]string{"PageSize": "100"}, "100", 30},
		{ReportRequestedPageSize, nil, "20", 20}, // the default size is what was asked for
		{OmitPageSize, map[string]string{"PageSize": "100"}, "", 30},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %v", pageSizeReportNames[tc.report], tc.query), func(t *testing.T) {
			s := startServer(t, Options{Images: imagesNamed(45), MaxPageSize: 30, PageSizeReport: tc.report})
			body := mustCall(t, newClient(t, s, defaultCreds), "DescribeImageInstances", tc.query)
			info, _ := body["PageInfo"].(map[string]any)
			size, present := info["PageSize"]
			switch {
			case tc.wantSize == "" && present:
				t.Errorf("PageInfo.PageSize = %v, want none", size)
			case tc.wantSize != "" && fmt.Sprint(size) != tc.wantSize:
				t.Errorf("PageInfo.PageSize = %v, want %s", size, tc.wantSize)
			}
			if n := len(pageOfUUIDs(t, body)); n != tc.wantCount {
				t.Errorf("served %d images, want %d", n, tc.wantCount)
			}
		})
	}
}

func TestParsePageSizeReport(t *testing.T) {
	for _, r := range []PageSizeReport{ReportServedPageSize, ReportRequestedPageSize, OmitPageSize} {
		if got, err := ParsePageSizeReport(pageSizeReportNames[r]); err != nil || got != r {
			t.Errorf("ParsePageSizeReport(%q) = %v, %v", pageSizeReportNames[r], got, err)
		}
	}
	if _, err := ParsePageSizeReport("sometimes"); err == nil {
		t.Error("ParsePageSizeReport accepted an unknown name")
	}
}

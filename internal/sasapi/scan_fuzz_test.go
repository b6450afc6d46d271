package sasapi

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDecodeDescribeImageLatestScanTask(t *testing.T) {
	cases := []struct {
		name                 string
		body                 string
		wantID               string // "" for no task
		wantStatus           string
		wantStart, wantFinal Int
		wantCreate           DateTime
	}{
		{name: "no task", body: `{"RequestId":"R","Task":[]}`},
		{name: "Task null", body: `{"RequestId":"R","Task":null}`},
		{name: "Task absent", body: `{"RequestId":"R"}`},
		{
			name:       "documented shape, still running",
			body:       `{"Task":[{"Id":5,"TaskId":"T","Status":"PRE_ANALYZER","StartTime":1767225600000,"FinishTime":"","Create":"2026-01-01 08:00:00"}]}`,
			wantID:     "T",
			wantStatus: "PRE_ANALYZER", wantStart: Int{Value: 1767225600000, Valid: true},
			wantCreate: DateTime{Text: "2026-01-01 08:00:00", Time: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC), Valid: true},
		},
		{
			name:       "numbers as strings, the service's TIMOUT, times as milliseconds",
			body:       `{"Task":[{"TaskId":"T","Status":"timout","StartTime":"1767225600000","FinishTime":"1767225690000","Create":1767225600000}]}`,
			wantID:     "T",
			wantStatus: ScanStatusTimeout, wantStart: Int{Value: 1767225600000, Valid: true}, wantFinal: Int{Value: 1767225690000, Valid: true},
			wantCreate: DateTime{Text: "1767225600000", Time: time.UnixMilli(1767225600000).UTC(), Valid: true},
		},
		{
			name:       "a single object, unreadable text time kept",
			body:       `{"Task":{"TaskId":"T","Status":"SUCCESS","Create":"yesterday"}}`,
			wantID:     "T",
			wantStatus: ScanStatusSuccess, wantCreate: DateTime{Text: "yesterday", Valid: true},
		},
		{
			name:       "of several, the one started last",
			body:       `{"Task":[{"TaskId":"OLD","StartTime":1},{"TaskId":"NEW","StartTime":3,"Status":"START"},{"TaskId":"MID","StartTime":2}]}`,
			wantID:     "NEW",
			wantStatus: "START", wantStart: Int{Value: 3, Valid: true},
		},
		{
			name:       "a later start beats a higher Id",
			body:       `{"Task":[{"Id":2,"TaskId":"NEW","StartTime":3,"Status":"START"},{"Id":9,"TaskId":"OLD","StartTime":1}]}`,
			wantID:     "NEW",
			wantStatus: "START", wantStart: Int{Value: 3, Valid: true},
		},
		{
			name:       "the same start: the highest Id, listed first",
			body:       `{"Task":[{"Id":9,"TaskId":"HIGH","StartTime":3,"Status":"START"},{"Id":2,"TaskId":"LOW","StartTime":3}]}`,
			wantID:     "HIGH",
			wantStatus: "START", wantStart: Int{Value: 3, Valid: true},
		},
		{
			name:       "the same start: the highest Id, listed last",
			body:       `{"Task":[{"Id":2,"TaskId":"LOW","StartTime":3},{"Id":9,"TaskId":"HIGH","StartTime":3,"Status":"START"}]}`,
			wantID:     "HIGH",
			wantStatus: "START", wantStart: Int{Value: 3, Valid: true},
		},
		{
			name:       "the same start and Id: the first listed",
			body:       `{"Task":[{"Id":2,"TaskId":"FIRST","StartTime":3,"Status":"START"},{"Id":2,"TaskId":"SECOND","StartTime":3}]}`,
			wantID:     "FIRST",
			wantStatus: "START", wantStart: Int{Value: 3, Valid: true},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := DescribeImageLatestScanTask.Read([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			task := latestTask(page.Items)
			if tc.wantID == "" {
				if task != nil {
					t.Fatalf("task %+v, want none", task)
				}
				return
			}
			if task == nil || task.TaskId.Value != tc.wantID || task.ScanStatus() != tc.wantStatus || task.StartTime != tc.wantStart || task.FinishTime != tc.wantFinal || task.Create != tc.wantCreate {
				t.Fatalf("task %+v", task)
			}
		})
	}
	for _, bad := range []string{`{"Task":"x"}`, `{"Task":[{"StartTime":"soon"}]}`, `{"Task":[{"Create":{}}]}`, `{`} {
		if _, err := DescribeImageLatestScanTask.Read([]byte(bad)); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}

func TestDecodeCreateImageScanTask(t *testing.T) {
	page, err := PublicCreateImageScanTask.Read([]byte(`{"RequestId":"R","Data":{"TaskId":"T","CanCreate":"false","Progress":"0","ExecTime":1767225600000}}`))
	if err != nil || len(page.Items) != 1 || page.RequestID != "R" {
		t.Fatalf("got %+v, %v; want the one Data and the request id", page, err)
	}
	if d := page.Items[0]; d.TaskId.Value != "T" || d.CanCreate != (Bool{Value: false, Valid: true}) || d.ExecTime.Value != 1767225600000 {
		t.Fatalf("Data %+v", d)
	}
	for _, bad := range []string{`{"RequestId":"R"}`, `{"Data":null}`, ``, `{"Data":{"CanCreate":"maybe"}}`} {
		if _, err := PublicCreateImageScanTask.Read([]byte(bad)); err == nil {
			t.Errorf("%q decoded without error", bad)
		}
	}
}

func FuzzDecodeDescribeImageLatestScanTask(f *testing.F) {
	f.Add([]byte(latestBody("T1", "TIMOUT", 1767225600000)))
	f.Add([]byte(`{"Task":{"TaskId":"T","Create":"2026-01-01 08:00:00","FinishTime":""}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := DescribeImageLatestScanTask.Read(body)
		if err != nil {
			if !reflect.ValueOf(page).IsZero() {
				t.Fatalf("a page came back with the error %v: %+v", err, page)
			}
			return
		}
		latest := latestTask(page.Items)
		if (latest == nil) != (len(page.Items) == 0) {
			t.Fatalf("latest %v of %d tasks", latest, len(page.Items))
		}
		for i := range page.Items {
			checkScanTask(t, &page.Items[i])
		}
	})
}

// checkScanTask asserts what every decoded task promises whatever the input.
func checkScanTask(t *testing.T, task *ImageScanTask) {
	t.Helper()
	v := reflect.ValueOf(*task)
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		switch f := v.Field(i).Interface().(type) {
		case DateTime:
			if !utf8.ValidString(f.Text) || (!f.Valid && (f.Text != "" || !f.Time.IsZero())) {
				t.Errorf("%s = %+v", name, f)
			}
		case String:
			if !utf8.ValidString(f.Value) || (!f.Valid && f.Value != "") {
				t.Errorf("%s = %+v", name, f)
			}
		case Int:
			if !f.Valid && f.Value != 0 {
				t.Errorf("%s = %+v", name, f)
			}
		default:
			t.Fatalf("%s has unexpected type %T", name, f)
		}
	}
	status := task.ScanStatus()
	if status != strings.ToUpper(status) || status == scanStatusTimout {
		t.Errorf("ScanStatus %q of %q", status, task.Status.Value)
	}
	if task.Finished() != (status == ScanStatusSuccess || status == ScanStatusFail || status == ScanStatusTimeout) {
		t.Errorf("Finished %v for status %q", task.Finished(), status)
	}
}

func FuzzDecodeCreateImageScanTask(f *testing.F) {
	f.Add([]byte(created("T1")))
	f.Add([]byte(`{"RequestId":"R","Data":{"CanCreate":false}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := PublicCreateImageScanTask.Read(body)
		if err != nil {
			if !reflect.ValueOf(page).IsZero() {
				t.Fatalf("a page came back with the error %v: %+v", err, page)
			}
			return
		}
		if len(page.Items) != 1 {
			t.Fatalf("accepted an answer as %d records, want its one Data", len(page.Items))
		}
		checkScalars(t, "Data", reflect.ValueOf(page.Items[0]))
	})
}

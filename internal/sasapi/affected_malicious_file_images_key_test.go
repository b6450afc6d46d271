package sasapi

import "testing"

// Rows are the same record when they are the same alert event of the same
// image record: the records of one digest may share an event, and each
// keeps its row.
func TestMaliciousFileKey_isTheEventInItsImage(t *testing.T) {
	row := func(id int64, uuid, md5, path string) *MaliciousFile {
		f := &MaliciousFile{ImageUuid: String{Value: uuid, Valid: true}, MaliciousMd5: String{Value: md5, Valid: true}, FilePath: String{Value: path, Valid: true}}
		if id != 0 {
			f.Id = Int{Value: id, Valid: true}
		}
		return f
	}
	key := func(f *MaliciousFile) string {
		k, ok := maliciousFileKey(f)
		if !ok {
			t.Fatalf("no key for %+v", f)
		}
		return k
	}
	if key(row(7, "u1", "m", "/p")) != key(row(7, "u1", "m", "/other")) {
		t.Error("one event of one image keyed twice")
	}
	if key(row(7, "u1", "m", "/p")) == key(row(7, "u2", "m", "/p")) {
		t.Error("the event of two image records keyed once: one record's row would be dropped")
	}
	noEvent := key(row(0, "u1", "m", "/p"))
	for _, other := range []*MaliciousFile{row(0, "u2", "m", "/p"), row(0, "u1", "m2", "/p"), row(0, "u1", "m", "/q")} {
		if key(other) == noEvent {
			t.Errorf("rows without an event keyed alike: %+v; want them keyed by image, MD5 and path", other)
		}
	}
}

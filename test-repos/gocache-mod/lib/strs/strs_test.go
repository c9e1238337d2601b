package strs

import "testing"

func TestReverse(t *testing.T) {
	if got := Reverse("gopipe"); got != "epipog" {
		t.Fatalf("Reverse = %q", got)
	}
}

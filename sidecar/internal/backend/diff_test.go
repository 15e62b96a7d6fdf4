package backend

import (
	"reflect"
	"testing"
)

func TestDiffPeers(t *testing.T) {
	p := func(id, dns string, online bool) Peer {
		return Peer{ID: id, DNSName: dns, Online: online, TailscaleIPs: []string{"100.64.0." + id}}
	}
	old := map[string]Peer{"1": p("1", "a", true), "2": p("2", "b", true), "3": p("3", "c", true)}
	cur := map[string]Peer{"1": p("1", "a", true), "3": p("3", "c", false), "4": p("4", "d", true)}
	lastSeen := cur["1"]
	lastSeen.LastSeen = "2026-08-01T00:00:00Z" // not a change on its own
	cur["1"] = lastSeen

	got := DiffPeers(old, cur)
	var kinds []string
	for _, c := range got {
		kinds = append(kinds, c.ChangeType+":"+c.PeerID)
		if (c.ChangeType == "left") != (c.Peer == nil) {
			t.Errorf("%s %s: peer %v", c.ChangeType, c.PeerID, c.Peer)
		}
	}
	want := []string{"left:2", "joined:4", "updated:3"}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("diff = %v, want %v", kinds, want)
	}
	if got[2].Peer.Online {
		t.Fatalf("updated peer carries the old state: %+v", got[2].Peer)
	}
	if len(DiffPeers(cur, cur)) != 0 {
		t.Fatal("a snapshot differs from itself")
	}
}

func TestSamePeer(t *testing.T) {
	base := Peer{ID: "1", Hostname: "a", DNSName: "a.ts.net", TailscaleIPs: []string{"100.64.0.1"}, Online: true}
	tests := []struct {
		name string
		edit func(p *Peer)
		same bool
	}{
		{"last seen only", func(p *Peer) { p.LastSeen = "2026-08-01T00:00:00Z" }, true},
		{"different address", func(p *Peer) { p.TailscaleIPs = []string{"100.64.0.2"} }, false},
		{"another address", func(p *Peer) { p.TailscaleIPs = []string{"100.64.0.1", "fd7a::1"} }, false},
		{"hostname", func(p *Peer) { p.Hostname = "b" }, false},
		{"offline", func(p *Peer) { p.Online = false }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := base
			b.TailscaleIPs = append([]string(nil), base.TailscaleIPs...)
			tt.edit(&b)
			if got := SamePeer(base, b); got != tt.same {
				t.Fatalf("SamePeer = %v, want %v", got, tt.same)
			}
		})
	}
}

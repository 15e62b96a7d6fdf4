package backend

import "sort"

// DiffPeers lists the changes from old to cur, two peer lists by ID: leaves, then joins, then updates, each sorted
// by ID. Both backends diff their snapshots with it, so a change means the same on the loopback network and on a
// tailnet.
func DiffPeers(old, cur map[string]Peer) []PeerChange {
	var left, joined, updated []PeerChange
	for id := range old {
		if _, ok := cur[id]; !ok {
			left = append(left, PeerChange{ChangeType: "left", PeerID: id})
		}
	}
	for id, p := range cur {
		p := p
		o, ok := old[id]
		switch {
		case !ok:
			joined = append(joined, PeerChange{ChangeType: "joined", PeerID: id, Peer: &p})
		case !SamePeer(o, p):
			updated = append(updated, PeerChange{ChangeType: "updated", PeerID: id, Peer: &p})
		}
	}
	var out []PeerChange
	for _, group := range [][]PeerChange{left, joined, updated} {
		sort.Slice(group, func(i, j int) bool { return group[i].PeerID < group[j].PeerID })
		out = append(out, group...)
	}
	return out
}

// SamePeer reports whether a and b differ in nothing but LastSeen, which moves on its own while a peer is offline
// (going offline or online changes Online).
func SamePeer(a, b Peer) bool {
	if a.ID != b.ID || a.Hostname != b.Hostname || a.DNSName != b.DNSName || a.Online != b.Online ||
		a.OS != b.OS || a.CurAddr != b.CurAddr || a.Relay != b.Relay || a.KeyExpiry != b.KeyExpiry ||
		a.Expired != b.Expired || len(a.TailscaleIPs) != len(b.TailscaleIPs) {
		return false
	}
	for i := range a.TailscaleIPs {
		if a.TailscaleIPs[i] != b.TailscaleIPs[i] {
			return false
		}
	}
	return true
}

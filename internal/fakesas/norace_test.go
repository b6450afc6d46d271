//go:build !race

package fakesas

const raceEnabled = false

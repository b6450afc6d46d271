package main

import (
	"fmt"
	"math"
	"strings"
)

// plot draws wall time against N on log-log axes as a standalone SVG.
func plot(rows []listRow) string {
	type series struct {
		label  string
		colour string
		dashed bool
		points [][2]float64
	}
	all := []*series{
		{label: "naive baseline (sequential, page size 20)", colour: "#d62728"},
		{label: "ours, default settings", colour: "#1f77b4"},
		{label: "ours, concurrency 8", colour: "#2ca02c"},
		{label: "latency bound, default settings", colour: "#7f7f7f", dashed: true},
	}
	for _, r := range rows {
		switch {
		case r.pageSize == 20 && r.concurrency == 1:
			all[0].points = append(all[0].points, [2]float64{float64(r.n), r.wallMS})
		case r.defaults:
			all[1].points = append(all[1].points, [2]float64{float64(r.n), r.wallMS})
			all[3].points = append(all[3].points, [2]float64{float64(r.n), latencyBound(r.n, r.concurrency)})
		case r.pageSize == 100 && r.concurrency == 8:
			all[2].points = append(all[2].points, [2]float64{float64(r.n), r.wallMS})
		}
	}
	const w, h, left, right, top, bottom = 720.0, 440.0, 80.0, 20.0, 40.0, 60.0
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range all {
		for _, p := range s.points {
			minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
			minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
		}
	}
	if math.IsInf(minX, 0) {
		return `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`
	}
	lx0, lx1 := math.Floor(math.Log10(minX)), math.Ceil(math.Log10(maxX))
	ly0, ly1 := math.Floor(math.Log10(minY)), math.Ceil(math.Log10(maxY))
	if lx1 == lx0 {
		lx1++
	}
	if ly1 == ly0 {
		ly1++
	}
	x := func(v float64) float64 { return left + (math.Log10(v)-lx0)/(lx1-lx0)*(w-left-right) }
	y := func(v float64) float64 { return h - bottom - (math.Log10(v)-ly0)/(ly1-ly0)*(h-top-bottom) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12">`+"\n", w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="15" text-anchor="middle">Reading every page: wall time vs images (20 ms latency per request)</text>`+"\n", w/2)
	for e := lx0; e <= lx1; e++ {
		px := x(math.Pow(10, e))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", px, top, px, h-bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", px, h-bottom+18, humanCount(math.Pow(10, e)))
	}
	for e := ly0; e <= ly1; e++ {
		py := y(math.Pow(10, e))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, py, w-right, py)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, py+4, humanDuration(math.Pow(10, e)))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">images (log scale)</text>`+"\n", (left+w-right)/2, h-18)
	fmt.Fprintf(&b, `<text x="18" y="%.0f" text-anchor="middle" transform="rotate(-90 18 %.0f)">wall time (log scale)</text>`+"\n", (top+h-bottom)/2, (top+h-bottom)/2)
	for i, s := range all {
		var pts []string
		for _, p := range s.points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p[0]), y(p[1])))
		}
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", s.colour, dash, strings.Join(pts, " "))
		for _, p := range s.points {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", x(p[0]), y(p[1]), s.colour)
		}
		ly := top + 14 + float64(i)*18
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n", left+12, ly-4, left+36, ly-4, s.colour, dash)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f">%s</text>`+"\n", left+42, ly, s.label)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func humanCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

func humanDuration(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%gs", ms/1000)
	}
	return fmt.Sprintf("%gms", ms)
}

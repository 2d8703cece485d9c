package cardscan

import (
	"fmt"
	"image/png"
	"os"
	"testing"
)

func TestZZDebugLines(t *testing.T) {
	f := os.Getenv("DEBUG_FILE")
	if f == "" {
		t.Skip()
	}
	fh, _ := os.Open(f)
	img, _ := png.Decode(fh)
	fh.Close()
	work, _ := toGray(img)
	corners, _ := findCard(work.Gray)
	card, _ := warpCard(work.Gray, corners)
	if orientation(card.Gray) == -1 {
		rotate180(card.Gray)
	}
	p := findPrint(card.Gray)
	fmt.Println("photo", p.photo)
	for i, l := range p.lines {
		fmt.Println(l, float64(l.Dx())/float64(l.Dy()), p.splits[i], nearPhoto(l, p.photo))
	}
	out, _ := os.Create("/tmp/card.png")
	png.Encode(out, card.Gray)
	out.Close()
}

package vcard

import "time"

// Exchange is one command the card answered, as the link carried it: no
// data, only what a benchmark needs to know what crossed and why.
type Exchange struct {
	At               time.Time // when the card answered
	CLA, INS, P1, P2 byte
	App, AppAfter    string // the application selected before and after the command
	EF, EFAfter      uint16 // the EF selected before and after; 0 if none
	Command          int    // bytes of the command APDU
	Response         int    // bytes of the response APDU, SW1 SW2 included
	SW               uint16
}

// maxTraffic bounds the log so a card left on a reader for days cannot grow
// without limit; a session's exchange is well under a hundred commands.
const maxTraffic = 4096

// record notes one exchange; called with c.mu held.
func (c *Card) record(raw, resp []byte, app string, ef uint16) {
	if len(c.traffic) >= maxTraffic {
		return
	}
	e := Exchange{At: time.Now(), App: app, EF: ef, Command: len(raw), Response: len(resp)}
	e.AppAfter, e.EFAfter = c.selection()
	if len(raw) >= 4 {
		e.CLA, e.INS, e.P1, e.P2 = raw[0], raw[1], raw[2], raw[3]
	}
	if n := len(resp); n >= 2 {
		e.SW = uint16(resp[n-2])<<8 | uint16(resp[n-1])
	}
	c.traffic = append(c.traffic, e)
}

// TakeTraffic returns the exchanges since the last call and starts afresh.
func (c *Card) TakeTraffic() []Exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.traffic
	c.traffic = nil
	return out
}

// selection names what is selected, for the traffic log.
func (c *Card) selection() (string, uint16) {
	var ef uint16
	if c.curEF != nil {
		ef = c.curEF.id
	}
	return c.appName(), ef
}

// Between is the exchanges the card answered from one instant to another.
func Between(ex []Exchange, from, to time.Time) []Exchange {
	var in []Exchange
	for _, e := range ex {
		if !e.At.Before(from) && !e.At.After(to) {
			in = append(in, e)
		}
	}
	return in
}

// Cost is what crossed a card link, or the least that could have.
type Cost struct {
	APDUs int
	Bytes int           // command and response bytes, status words included
	Time  time.Duration // at a latency model
}

func (c Cost) add(apdus, bytes int) Cost {
	return Cost{APDUs: c.APDUs + apdus, Bytes: c.Bytes + bytes}
}

func (c Cost) at(l Latency) Cost {
	c.Time = time.Duration(c.APDUs)*l.PerAPDU + time.Duration(c.Bytes)*l.PerByte
	return c
}

// Sent is what the exchanges actually cost at l.
func Sent(ex []Exchange, l Latency) Cost {
	var c Cost
	for _, e := range ex {
		c = c.add(1, e.Command+e.Response)
	}
	return c.at(l)
}

// Floor is the least a link at l must carry to do what the exchanges did:
// each file read once, whole (as far as any read reached), by one extended
// READ BINARY (7 command bytes, the file's bytes and a status word); a
// SELECT only where it changes the selection; a chained command as one
// extended command; every other command as it was. It is the card's own
// speed limit for the work, against which a kiosk's time can be judged.
func Floor(ex []Exchange, l Latency) Cost {
	var c Cost
	extent := map[fileKey]int{} // how far the reads of each file reached
	for i := 0; i < len(ex); i++ {
		e := ex[i]
		switch {
		case e.isSelect():
			if e.AppAfter != e.App || e.EFAfter != e.EF || e.SW != 0x9000 {
				c = c.add(1, e.Command+e.Response)
			}
		case e.isRead():
			key := fileKey{e.App, e.EF}
			extent[key] = max(extent[key], e.offset()+e.Response-2)
		case e.isChained():
			end, data := chainEnd(ex, i)
			c = c.add(1, extendedCommandHeader+data+ex[end-1].Response)
			i = end - 1
		default:
			c = c.add(1, e.Command+e.Response)
		}
	}
	for _, n := range extent {
		c = c.add(1, extendedReadCommand+n+2)
	}
	return c.at(l)
}

// fileKey names an elementary file of an application.
type fileKey struct {
	app string
	ef  uint16
}

// Sizes of the extended encodings the floor assumes.
const (
	extendedReadCommand   = 7 // CLA INS P1 P2 00 Le1 Le2
	extendedCommandHeader = 7 // CLA INS P1 P2 00 Lc1 Lc2
	shortCommandHeader    = 5 // CLA INS P1 P2 Lc
)

// offset is a READ BINARY's offset (15 bits).
func (e Exchange) offset() int { return int(e.P1&0x7F)<<8 | int(e.P2) }

func (e Exchange) isSelect() bool  { return e.CLA == 0x00 && e.INS == 0xA4 }
func (e Exchange) isRead() bool    { return e.CLA == 0x00 && e.INS == 0xB0 && e.P1&0x80 == 0 }
func (e Exchange) isChained() bool { return e.CLA&0x10 != 0 }

// chainEnd is the end of a command chain from i (its last link has the
// chaining bit clear) and the data the chain carried.
func chainEnd(ex []Exchange, i int) (int, int) {
	data := 0
	j := i
	for ; j < len(ex) && ex[j].INS == ex[i].INS; j++ {
		data += ex[j].Command - shortCommandHeader
		if !ex[j].isChained() {
			return j + 1, data
		}
	}
	return j, data
}

package speech

import "encoding/binary"

// scaleVolume turns 16-bit PCM samples down to percent of their level, in
// place, once per rendering: the same for every engine and player. Other
// formats, and 100 or more, are left as they are.
func scaleVolume(wav []byte, percent int) []byte {
	if percent >= 100 || percent < 0 {
		return wav
	}
	data, ok := pcm16(wav)
	if !ok {
		return wav
	}
	for i := 0; i+1 < len(data); i += 2 {
		s := int32(int16(binary.LittleEndian.Uint16(data[i:])))
		binary.LittleEndian.PutUint16(data[i:], uint16(int16(s*int32(percent)/100)))
	}
	return wav
}

// pcm16 returns the data chunk of a 16-bit PCM WAV file.
func pcm16(wav []byte) ([]byte, bool) {
	if len(wav) < 12 || string(wav[0:4]) != "RIFF" || string(wav[8:12]) != "WAVE" {
		return nil, false
	}
	var isPCM16 bool
	for pos := 12; pos+8 <= len(wav); {
		id, size := string(wav[pos:pos+4]), int(binary.LittleEndian.Uint32(wav[pos+4:pos+8]))
		body := wav[pos+8:]
		switch {
		case id == "fmt " && size >= 16 && len(body) >= 16:
			isPCM16 = binary.LittleEndian.Uint16(body[0:2]) == 1 && binary.LittleEndian.Uint16(body[14:16]) == 16
		case id == "data":
			return body[:min(size, len(body))], isPCM16
		}
		pos += 8 + size + size%2
	}
	return nil, false
}

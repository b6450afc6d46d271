package fakesas

// EncodeAll encodes every record of the dataset now rather than on first
// use, so that a benchmark's first read measures the client, not the fake.
func (s *Server) EncodeAll() error {
	s.mu.Lock()
	d := s.data
	s.mu.Unlock()
	for i := range d.images {
		if _, err := d.json(i); err != nil {
			return err
		}
	}
	return nil
}

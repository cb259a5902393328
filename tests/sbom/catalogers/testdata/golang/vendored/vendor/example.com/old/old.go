package old

func Name() string { return "new" }

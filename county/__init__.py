"""County core: the project package and the shared app every workstream builds on."""

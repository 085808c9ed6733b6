"""Running Sirocco on one machine: in-process (`sirocco run`) and, later, `sirocco dev`."""

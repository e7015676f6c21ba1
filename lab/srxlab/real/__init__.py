"""The real protocol backend of the lab: strongSwan (charon, kernel-libipsec) and BIRD 2 in
one network namespace per device, configured from each device's committed Junos
configuration (``srxlab up --backend real``)."""

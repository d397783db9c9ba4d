"""The physics and the door-to-door core: Earth, great circles, ballistic flights, the door-to-door
kernel and reach. Everything that times a delivery lives here, once."""

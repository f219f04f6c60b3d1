// Command server is simrisk's reference host service.
package main

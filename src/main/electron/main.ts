import { runApp } from './app-lifecycle'

runApp()
